#ifndef LIAISON_CGPGME_SHIM_H
#define LIAISON_CGPGME_SHIM_H
#include <gpgme.h>
#endif
