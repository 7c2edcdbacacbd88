/* floor-get DB ID: what `optimist get ID --db DB` does for a customer. */
#include "floor.h"

int main(int argc, char **argv) {
  if (argc != 3) return 64;
  open_db(argv[1], 0);
  exec("BEGIN");
  check_schema();
  sqlite3_stmt *row = prepare("SELECT " CUSTOMER_COLUMNS " FROM customers WHERE id = ?");
  sqlite3_bind_text(row, 1, argv[2], -1, SQLITE_STATIC);
  if (sqlite3_step(row) != SQLITE_ROW) fail("no such customer");
  customer_json(row);
  sqlite3_finalize(row);
  exec("COMMIT");
  sqlite3_close(db);
  print_output();
  return 0;
}
