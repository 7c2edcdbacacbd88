/* floor-update DB ID VERSION NOTE: what `optimist update ID --version VERSION --set note=NOTE
 * --db DB` does for a customer: read it, write every field with a conditional UPDATE on the
 * version, print the new version of it. */
#include "floor.h"

int main(int argc, char **argv) {
  if (argc != 5) return 64;
  int64_t expected = atoll(argv[3]);
  open_db(argv[1], 0);
  exec("BEGIN IMMEDIATE");
  check_schema();
  sqlite3_stmt *row = prepare("SELECT " CUSTOMER_COLUMNS " FROM customers WHERE id = ?");
  sqlite3_bind_text(row, 1, argv[2], -1, SQLITE_STATIC);
  if (sqlite3_step(row) != SQLITE_ROW) fail("no such customer");
  int64_t now = now_ms();
  sqlite3_stmt *update = prepare(
      "UPDATE customers SET version = ?, updated_at = ?, given_name = ?, family_name = ?, "
      "company_name = ?, email_address = ?, phone_number = ?, reference_id = ?, note = ? "
      "WHERE id = ? AND version = ?");
  sqlite3_bind_int64(update, 1, sqlite3_column_int64(row, 1) + 1);
  sqlite3_bind_int64(update, 2, now);
  for (int i = 0; i < 6; i++) sqlite3_bind_value(update, 3 + i, sqlite3_column_value(row, 4 + i));
  sqlite3_bind_text(update, 9, argv[4], -1, SQLITE_STATIC);
  sqlite3_bind_text(update, 10, argv[2], -1, SQLITE_STATIC);
  sqlite3_bind_int64(update, 11, expected);
  if (sqlite3_step(update) != SQLITE_DONE) fail("update");
  if (sqlite3_changes(db) != 1) fail("version mismatch");
  sqlite3_finalize(update);
  /* The printed object: the row read, with the new version, time and note. */
  used = 0;
  put("{", 1);
  text_field("id", sqlite3_column_text(row, 0));
  time_field("created_at", sqlite3_column_int64(row, 2));
  time_field("updated_at", now);
  integer_field("version", sqlite3_column_int64(row, 1) + 1);
  for (int i = 0; i < 7; i++) {
    const unsigned char *value = i == 6 ? (const unsigned char *)argv[4] : sqlite3_column_text(row, 4 + i);
    text_field(customer_fields[i], value);
  }
  put("}\n", 2);
  sqlite3_finalize(row);
  exec("COMMIT");
  sqlite3_close(db);
  print_output();
  return 0;
}
