// Fault injection for tests/integration/fault_test.cc: a storage device that turns read-only
// while the server runs. Preloaded into `bulwark serve` (LD_PRELOAD). While the file named by
// BULWARK_FAULT_RO_FLAG exists, every write, truncate and sync of a file under
// BULWARK_FAULT_RO_DIR fails with EROFS, as on a file system remounted read-only; sockets and
// other files are untouched. Removing the flag file clears the fault.
//
// A real read-only remount cannot be used: the kernel refuses it (EBUSY) while the server holds
// its database files open for writing, which is exactly the state to test.

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

namespace {

int Faulty(int fd) {
  const char* flag = getenv("BULWARK_FAULT_RO_FLAG");
  const char* dir = getenv("BULWARK_FAULT_RO_DIR");
  if (!flag || !dir || access(flag, F_OK) != 0) return 0;
  char link[64], target[4096];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof(target) - 1);
  if (n <= 0) return 0;
  target[n] = '\0';
  return strncmp(target, dir, strlen(dir)) == 0;
}

// The next definition of `name` (libc's, or a sanitizer's interceptor).
template <typename F>
F Next(F, const char* name) {
  return reinterpret_cast<F>(reinterpret_cast<uintptr_t>(dlsym(RTLD_NEXT, name)));
}

}  // namespace

#define NEXT(name) Next(&name, #name)
#define REFUSE(fd)    \
  do {                \
    if (Faulty(fd)) { \
      errno = EROFS;  \
      return -1;      \
    }                 \
  } while (0)

extern "C" {

ssize_t write(int fd, const void* buf, size_t count) {
  REFUSE(fd);
  return NEXT(write)(fd, buf, count);
}
ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  REFUSE(fd);
  return NEXT(pwrite)(fd, buf, count, offset);
}
ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  REFUSE(fd);
  return NEXT(pwrite64)(fd, buf, count, offset);
}
ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  REFUSE(fd);
  return NEXT(writev)(fd, iov, iovcnt);
}
int ftruncate(int fd, off_t length) {
  REFUSE(fd);
  return NEXT(ftruncate)(fd, length);
}
int ftruncate64(int fd, off64_t length) {
  REFUSE(fd);
  return NEXT(ftruncate64)(fd, length);
}
int fsync(int fd) {
  REFUSE(fd);
  return NEXT(fsync)(fd);
}
int fdatasync(int fd) {
  REFUSE(fd);
  return NEXT(fdatasync)(fd);
}

}  // extern "C"
