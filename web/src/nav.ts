export function go(hash: string) { location.hash = hash; }
