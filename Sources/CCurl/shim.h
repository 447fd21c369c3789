#ifndef LIAISON_CCURL_SHIM_H
#define LIAISON_CCURL_SHIM_H
#include <curl/curl.h>
#endif
