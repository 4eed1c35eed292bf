# The two commands (README.md): each installs what it needs first.
.PHONY: demo test bench fuzz
demo:
	scripts/demo
test:
	scripts/test
bench:
	bench/run
fuzz:
	scripts/fuzz
