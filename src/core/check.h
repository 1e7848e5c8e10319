#pragma once

// Invariant checks. BULWARK_CHECK is always on; BULWARK_DCHECK only in debug builds.
// They guard programming errors, never user input: input errors travel as Status.

#include <cstdio>
#include <cstdlib>

#define BULWARK_CHECK(cond)                                                         \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

#ifdef NDEBUG
#define BULWARK_DCHECK(cond) \
  do {                       \
  } while (0)
#else
#define BULWARK_DCHECK(cond) BULWARK_CHECK(cond)
#endif
