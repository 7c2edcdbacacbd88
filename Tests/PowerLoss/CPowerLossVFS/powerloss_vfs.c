// A test-only SQLite VFS that simulates power loss, after SQLite's own crash-test VFS
// (src/test6.c): every call goes to the default `unix` VFS, and on the side it keeps a
// "durable image" of each file it opens, updated only when a real disk would be:
//
// - a file's bytes (and size) when the file is synced (xSync: fsync/fdatasync flushes
//   every dirty page of the inode, whoever wrote it);
// - a file's name when its folder is synced. The unix VFS syncs the folder at the first
//   xSync of a journal or WAL it opened with SQLITE_OPEN_CREATE (UNIXFILE_DIRSYNC in
//   os_unix.c), and after an unlink when xDelete is asked to (dirSync, e.g.
//   synchronous=EXTRA). A folder sync makes every name in it durable as it is now: new
//   files appear, deleted ones go.
//
// A power cut is then: kill every process, rebuild the files from the durable image alone
// (Tests/Scripts/powerloss.py does that, optionally tearing unsynced sectors), and open the
// result with stock SQLite. Several processes share one image; a flock on `lock` orders
// their updates, and every file of the image is replaced by rename, so a process killed
// mid-update leaves the image as it was before or after.
//
// The image, in the state folder:
//   folder          the one database folder this image follows (fixed at first use)
//   gen/NAME        the generation of the file NAME now in that folder (bumped on create)
//   names/NAME      the generation the disk holds under NAME (absent: no such name on disk)
//   content/NAME.G  the durable bytes of generation G of NAME (absent: empty)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static sqlite3_vfs *base_vfs;
static char state_dir[PATH_MAX];
static char folder[PATH_MAX];

typedef struct PowerLossFile {
  sqlite3_file base;
  sqlite3_file *real;   // the unix VFS's file, allocated right after this struct
  int tracked;          // a named file in the database folder
  int dir_sync_pending; // the unix VFS will sync the folder at this file's first xSync
  unsigned long generation;
  char name[NAME_MAX + 1];
} PowerLossFile;

// ------------------------------------------------------------------------- the image

static int lock_image(void) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/lock", state_dir);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  while (flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      close(fd);
      return -1;
    }
  }
  return fd;
}

static void unlock_image(int fd) {
  if (fd >= 0) close(fd);
}

/// Writes `size` bytes to state_dir/relative through a temporary file and rename.
static int replace_file(const char *relative, const void *bytes, size_t size) {
  char path[PATH_MAX], temporary[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/%s", state_dir, relative);
  snprintf(temporary, sizeof temporary, "%s.tmp%d", path, (int)getpid());
  int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  const char *p = bytes;
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      unlink(temporary);
      return -1;
    }
    p += n;
    size -= (size_t)n;
  }
  close(fd);
  return rename(temporary, path);
}

static unsigned long read_number(const char *kind, const char *name, int *found) {
  char path[PATH_MAX], text[32] = {0};
  snprintf(path, sizeof path, "%s/%s/%s", state_dir, kind, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  *found = fd >= 0;
  if (fd < 0) return 0;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  return n > 0 ? strtoul(text, NULL, 10) : 0;
}

static int write_number(const char *kind, const char *name, unsigned long value) {
  char relative[PATH_MAX], text[32];
  snprintf(relative, sizeof relative, "%s/%s", kind, name);
  int length = snprintf(text, sizeof text, "%lu\n", value);
  return replace_file(relative, text, (size_t)length);
}

/// A folder sync: the disk's names become the folder's names, for every tracked name.
static int sync_folder(void) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/gen", state_dir);
  int rc = 0;
  DIR *dir = opendir(path);
  if (!dir) return -1;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    if (entry->d_name[0] == '.' || strstr(entry->d_name, ".tmp")) continue;
    char real[PATH_MAX], durable[PATH_MAX];
    snprintf(real, sizeof real, "%s/%s", folder, entry->d_name);
    snprintf(durable, sizeof durable, "%s/names/%s", state_dir, entry->d_name);
    struct stat info;
    int found;
    if (stat(real, &info) == 0) {
      unsigned long generation = read_number("gen", entry->d_name, &found);
      if (write_number("names", entry->d_name, generation) != 0) rc = -1;
    } else if (unlink(durable) != 0 && errno != ENOENT) {
      rc = -1;
    }
  }
  closedir(dir);
  return rc;
}

/// A file sync: the disk holds the file's bytes as they are now, read through its own
/// handle (the inode this process has open, even if the name has moved on).
static int sync_content(PowerLossFile *file) {
  sqlite3_int64 size = 0;
  if (file->real->pMethods->xFileSize(file->real, &size) != SQLITE_OK || size < 0) return -1;
  char *bytes = malloc(size > 0 ? (size_t)size : 1);
  if (!bytes) return -1;
  sqlite3_int64 offset = 0;
  while (offset < size) {
    int chunk = size - offset > (1 << 20) ? (1 << 20) : (int)(size - offset);
    int rc = file->real->pMethods->xRead(file->real, bytes + offset, chunk, offset);
    if (rc != SQLITE_OK) {
      free(bytes);
      return -1;
    }
    offset += chunk;
  }
  char relative[PATH_MAX];
  snprintf(relative, sizeof relative, "content/%s.%lu", file->name, file->generation);
  int rc = replace_file(relative, bytes, (size_t)size);
  free(bytes);
  return rc;
}

static void complain(const char *what) {
  fprintf(stderr, "powerloss VFS: %s: %s\n", what, strerror(errno));
}

// ------------------------------------------------------------------------- the file

static int pl_close(sqlite3_file *f) {
  PowerLossFile *file = (PowerLossFile *)f;
  int rc = file->real->pMethods ? file->real->pMethods->xClose(file->real) : SQLITE_OK;
  return rc;
}

static int pl_read(sqlite3_file *f, void *buffer, int amount, sqlite3_int64 offset) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xRead(file->real, buffer, amount, offset);
}

static int pl_write(sqlite3_file *f, const void *buffer, int amount, sqlite3_int64 offset) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xWrite(file->real, buffer, amount, offset);
}

static int pl_truncate(sqlite3_file *f, sqlite3_int64 size) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xTruncate(file->real, size);
}

static int pl_sync(sqlite3_file *f, int flags) {
  PowerLossFile *file = (PowerLossFile *)f;
  int rc = file->real->pMethods->xSync(file->real, flags);
  if (rc != SQLITE_OK || !file->tracked) return rc;
  int lock = lock_image();
  if (lock < 0) {
    complain("cannot lock the image");
    return SQLITE_IOERR_FSYNC;
  }
  int failed = sync_content(file) != 0;
  if (!failed && file->dir_sync_pending) {
    failed = sync_folder() != 0;
    file->dir_sync_pending = 0;
  }
  unlock_image(lock);
  if (failed) {
    complain("cannot update the image");
    return SQLITE_IOERR_FSYNC;
  }
  return SQLITE_OK;
}

static int pl_file_size(sqlite3_file *f, sqlite3_int64 *size) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xFileSize(file->real, size);
}

static int pl_lock(sqlite3_file *f, int level) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xLock(file->real, level);
}

static int pl_unlock(sqlite3_file *f, int level) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xUnlock(file->real, level);
}

static int pl_check_reserved_lock(sqlite3_file *f, int *result) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xCheckReservedLock(file->real, result);
}

static int pl_file_control(sqlite3_file *f, int op, void *argument) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xFileControl(file->real, op, argument);
}

static int pl_sector_size(sqlite3_file *f) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xSectorSize(file->real);
}

static int pl_device_characteristics(sqlite3_file *f) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xDeviceCharacteristics(file->real);
}

static int pl_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **out) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xShmMap(file->real, page, size, extend, out);
}

static int pl_shm_lock(sqlite3_file *f, int offset, int n, int flags) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xShmLock(file->real, offset, n, flags);
}

static void pl_shm_barrier(sqlite3_file *f) {
  PowerLossFile *file = (PowerLossFile *)f;
  file->real->pMethods->xShmBarrier(file->real);
}

static int pl_shm_unmap(sqlite3_file *f, int delete_flag) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xShmUnmap(file->real, delete_flag);
}

static int pl_fetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **out) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xFetch(file->real, offset, amount, out);
}

static int pl_unfetch(sqlite3_file *f, sqlite3_int64 offset, void *p) {
  PowerLossFile *file = (PowerLossFile *)f;
  return file->real->pMethods->xUnfetch(file->real, offset, p);
}

static const sqlite3_io_methods powerloss_io = {
  3, pl_close, pl_read, pl_write, pl_truncate, pl_sync, pl_file_size, pl_lock, pl_unlock,
  pl_check_reserved_lock, pl_file_control, pl_sector_size, pl_device_characteristics,
  pl_shm_map, pl_shm_lock, pl_shm_barrier, pl_shm_unmap, pl_fetch, pl_unfetch,
};

// ------------------------------------------------------------------------- the VFS

/// Splits a full path into its folder and name; 0 when the file is in the image's folder.
static int locate(const char *path, char *name) {
  const char *slash = strrchr(path, '/');
  if (!slash || strlen(slash + 1) > NAME_MAX) return -1;
  strcpy(name, slash + 1);
  size_t length = (size_t)(slash - path);
  if (length >= PATH_MAX) return -1;
  char directory[PATH_MAX];
  memcpy(directory, path, length);
  directory[length] = 0;
  if (folder[0] == 0) {
    // The first file fixes the folder, also for the other processes of this image.
    char stored[PATH_MAX] = {0}, relative[] = "folder";
    char full[PATH_MAX];
    snprintf(full, sizeof full, "%s/%s", state_dir, relative);
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ssize_t n = read(fd, stored, sizeof stored - 1);
      close(fd);
      if (n > 0) memcpy(folder, stored, (size_t)n);
    } else {
      if (replace_file(relative, directory, length) != 0) return -1;
      strcpy(folder, directory);
    }
  }
  return strcmp(folder, directory) == 0 ? 0 : -1;
}

static int pl_open(sqlite3_vfs *vfs, const char *path, sqlite3_file *f, int flags, int *out_flags) {
  (void)vfs;
  PowerLossFile *file = (PowerLossFile *)f;
  memset(file, 0, sizeof *file);
  file->real = (sqlite3_file *)(file + 1);
  int lock = -1;
  int existed = 1;
  if (path) {
    lock = lock_image();
    if (lock < 0 || locate(path, file->name) != 0) {
      unlock_image(lock);
      fprintf(stderr, "powerloss VFS: `%s` is not in the image's folder `%s`\n", path, folder);
      return SQLITE_CANTOPEN;
    }
    file->tracked = 1;
    existed = access(path, F_OK) == 0;
  }
  int rc = base_vfs->xOpen(base_vfs, path, file->real, flags, out_flags);
  if (rc == SQLITE_OK && file->tracked) {
    int found;
    file->generation = read_number("gen", file->name, &found);
    if (!existed || !found) {
      // A new file (or one the image has not seen): a generation of its own, named on the
      // disk only after a folder sync.
      file->generation += 1;
      if (write_number("gen", file->name, file->generation) != 0) rc = SQLITE_CANTOPEN;
    }
    int journal = flags & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL | SQLITE_OPEN_WAL);
    file->dir_sync_pending = (flags & SQLITE_OPEN_CREATE) && journal;
  }
  unlock_image(lock);
  if (rc == SQLITE_OK) {
    file->base.pMethods = &powerloss_io;
  } else if (file->real->pMethods) {
    file->real->pMethods->xClose(file->real);
  }
  return rc;
}

static int pl_delete(sqlite3_vfs *vfs, const char *path, int dir_sync) {
  (void)vfs;
  int rc = base_vfs->xDelete(base_vfs, path, dir_sync);
  if (rc != SQLITE_OK || !dir_sync) return rc; // an unsynced unlink may come undone
  int lock = lock_image();
  char name[NAME_MAX + 1];
  int failed = lock < 0 || locate(path, name) != 0 || sync_folder() != 0;
  unlock_image(lock);
  return failed ? SQLITE_IOERR_DIR_FSYNC : SQLITE_OK;
}

static int pl_access(sqlite3_vfs *vfs, const char *path, int flags, int *result) {
  (void)vfs;
  return base_vfs->xAccess(base_vfs, path, flags, result);
}

static int pl_full_pathname(sqlite3_vfs *vfs, const char *path, int size, char *out) {
  (void)vfs;
  return base_vfs->xFullPathname(base_vfs, path, size, out);
}

static void *pl_dl_open(sqlite3_vfs *vfs, const char *path) {
  (void)vfs;
  return base_vfs->xDlOpen(base_vfs, path);
}

static void pl_dl_error(sqlite3_vfs *vfs, int size, char *out) {
  (void)vfs;
  base_vfs->xDlError(base_vfs, size, out);
}

static void (*pl_dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
  (void)vfs;
  return base_vfs->xDlSym(base_vfs, handle, symbol);
}

static void pl_dl_close(sqlite3_vfs *vfs, void *handle) {
  (void)vfs;
  base_vfs->xDlClose(base_vfs, handle);
}

static int pl_randomness(sqlite3_vfs *vfs, int size, char *out) {
  (void)vfs;
  return base_vfs->xRandomness(base_vfs, size, out);
}

static int pl_sleep(sqlite3_vfs *vfs, int microseconds) {
  (void)vfs;
  return base_vfs->xSleep(base_vfs, microseconds);
}

static int pl_current_time(sqlite3_vfs *vfs, double *out) {
  (void)vfs;
  return base_vfs->xCurrentTime(base_vfs, out);
}

static int pl_get_last_error(sqlite3_vfs *vfs, int size, char *out) {
  (void)vfs;
  return base_vfs->xGetLastError(base_vfs, size, out);
}

static int pl_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
  (void)vfs;
  return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

static sqlite3_vfs powerloss_vfs = {
  2, 0, 0, 0, "powerloss", 0, pl_open, pl_delete, pl_access, pl_full_pathname, pl_dl_open,
  pl_dl_error, pl_dl_sym, pl_dl_close, pl_randomness, pl_sleep, pl_current_time,
  pl_get_last_error, pl_current_time_int64, 0, 0, 0,
};

int powerloss_vfs_register(const char *directory, int make_default) {
  base_vfs = sqlite3_vfs_find("unix");
  if (!base_vfs || !directory || strlen(directory) >= sizeof state_dir - 64) return SQLITE_ERROR;
  strcpy(state_dir, directory);
  const char *parts[] = {"", "/gen", "/names", "/content"};
  for (int i = 0; i < 4; i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s%s", state_dir, parts[i]);
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
      complain(path);
      return SQLITE_CANTOPEN;
    }
  }
  powerloss_vfs.szOsFile = (int)sizeof(PowerLossFile) + base_vfs->szOsFile;
  powerloss_vfs.mxPathname = base_vfs->mxPathname;
  return sqlite3_vfs_register(&powerloss_vfs, make_default);
}
