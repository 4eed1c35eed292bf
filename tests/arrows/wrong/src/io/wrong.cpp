// Fixture for layering/arrows-catch (never compiled): a loader needing the
// engine's header, against the arrow.
#include "backcover/engine/engine.hpp"
