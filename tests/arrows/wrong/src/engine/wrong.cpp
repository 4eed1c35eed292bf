// Fixture for layering/arrows-catch (never compiled): the engine reaching up
// into the loaders, against the arrow. cmake/arrows.cmake must refuse it.
#include "backcover/io/loaders.hpp"
