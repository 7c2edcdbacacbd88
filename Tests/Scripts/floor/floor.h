/* The floor: the least a command-line tool can do for one optimist call.
 *
 * Each floor_*.c program does one operation's work the way optimist does it — the same SQL
 * statements in the same transaction with the same pragmas, against the same static
 * libsqlite3 — and prints the same JSON, with nothing else: no argument parsing beyond
 * positional words, no validation, no path checks. The benchmark (Tests/Scripts/bench,
 * common.py) builds them (static, -O2) with
 * FLOOR_PRAGMAS set to the pragmas optimist runs on every connection.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#ifndef FLOOR_PRAGMAS
#error "define FLOOR_PRAGMAS, e.g. -DFLOOR_PRAGMAS='\"PRAGMA synchronous = FULL\"'"
#endif

static sqlite3 *db;

static void fail(const char *what) {
  fprintf(stderr, "floor: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
  exit(1);
}

/* Opens the database as optimist does: read-write, no mutex, extended result codes, a 10 s
 * lock wait, then the pragmas. */
static void open_db(const char *path, int create) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (create) flags |= SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) fail("open");
  sqlite3_busy_timeout(db, 10000);
  if (sqlite3_exec(db, FLOOR_PRAGMAS, NULL, NULL, NULL) != SQLITE_OK) fail("pragmas");
}

static void exec(const char *sql) {
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) fail(sql);
}

static sqlite3_stmt *prepare(const char *sql) {
  sqlite3_stmt *statement;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK) fail(sql);
  return statement;
}

/* The schema version, read as optimist reads it before every command. */
static void check_schema(void) {
  sqlite3_stmt *statement = prepare("PRAGMA user_version");
  if (sqlite3_step(statement) != SQLITE_ROW || sqlite3_column_int(statement, 0) == 0) fail("schema");
  sqlite3_finalize(statement);
}

/* The output, built in one buffer. */
static char out[65536];
static size_t used;

static void put(const char *text, size_t length) {
  if (used + length >= sizeof out) fail("output too long");
  memcpy(out + used, text, length);
  used += length;
}
static void puts_(const char *text) { put(text, strlen(text)); }

/* A JSON string, escaped as optimist escapes it (RFC 8259, plus DEL, U+2028 and U+2029). */
static void quoted(const unsigned char *text) {
  put("\"", 1);
  for (const unsigned char *p = text; *p; p++) {
    char escape[8];
    switch (*p) {
      case '"': put("\\\"", 2); break;
      case '\\': put("\\\\", 2); break;
      case '\n': put("\\n", 2); break;
      case '\r': put("\\r", 2); break;
      case '\t': put("\\t", 2); break;
      case '\b': put("\\b", 2); break;
      case '\f': put("\\f", 2); break;
      default:
        if (*p < 0x20 || *p == 0x7f) {
          snprintf(escape, sizeof escape, "\\u%04x", *p);
          put(escape, 6);
        } else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
          put(p[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
          p += 2;
        } else {
          put((const char *)p, 1);
        }
    }
  }
  put("\"", 1);
}

/* ,"key": */
static void key(const char *name) {
  if (used > 1) put(",", 1);
  put("\"", 1);
  puts_(name);
  put("\":", 2);
}

static void text_field(const char *name, const unsigned char *value) {
  if (!value) return;
  key(name);
  quoted(value);
}

static void integer_field(const char *name, int64_t value) {
  char number[24];
  key(name);
  snprintf(number, sizeof number, "%lld", (long long)value);
  puts_(number);
}

/* Epoch milliseconds as RFC 3339 with milliseconds: 2026-11-23T07:01:02.345Z. */
static void time_field(const char *name, int64_t ms) {
  char stamp[32];
  time_t seconds = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  snprintf(stamp, sizeof stamp, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
  key(name);
  puts_(stamp);
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A new 26-character id from the same alphabet as optimist's. */
static void new_id(char id[27]) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  unsigned char bytes[26];
  if (getrandom(bytes, sizeof bytes, 0) != sizeof bytes) fail("getrandom");
  for (int i = 0; i < 26; i++) id[i] = alphabet[bytes[i] & 31];
  id[26] = 0;
}

/* The customer columns in optimist's order, and the customer's JSON from a row of them. */
#define CUSTOMER_COLUMNS \
  "id, version, created_at, updated_at, given_name, family_name, company_name, " \
  "email_address, phone_number, reference_id, note"
static const char *customer_fields[] = {"given_name", "family_name", "company_name",
                                        "email_address", "phone_number", "reference_id", "note"};

static void customer_json(sqlite3_stmt *row) {
  used = 0;
  put("{", 1);
  text_field("id", sqlite3_column_text(row, 0));
  time_field("created_at", sqlite3_column_int64(row, 2));
  time_field("updated_at", sqlite3_column_int64(row, 3));
  integer_field("version", sqlite3_column_int64(row, 1));
  for (int i = 0; i < 7; i++) {
    text_field(customer_fields[i], sqlite3_column_text(row, 4 + i));
  }
  put("}\n", 2);
}

static void print_output(void) {
  if (write(STDOUT_FILENO, out, used) != (ssize_t)used) fail("write");
}
