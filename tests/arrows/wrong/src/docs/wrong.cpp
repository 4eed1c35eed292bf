// Fixture for layering/arrows-catch (never compiled): a document parsing its
// own YAML, against the arrow (docs consumes typed inputs from io).
#include <yaml-cpp/yaml.h>
