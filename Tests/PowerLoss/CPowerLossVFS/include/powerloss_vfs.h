#ifndef POWERLOSS_VFS_H
#define POWERLOSS_VFS_H

/// Registers the power-loss VFS, layered over SQLite's default `unix` VFS, under the name
/// "powerloss" (and as the default VFS when `make_default` is non-zero).
///
/// It keeps, in the folder `state_dir`, a durable image of every database file it opens:
/// what a disk would hold if the power went now. Returns SQLITE_OK, or an SQLite error code
/// (with a message on stderr) when the folder cannot be used. See powerloss_vfs.c.
int powerloss_vfs_register(const char *state_dir, int make_default);

#endif
