// Cairo image surfaces and text, Debian: libcairo2-dev.
#include <cairo.h>
