/* floor-payment DB KEY CUSTOMER: what `optimist create-payment --key KEY --amount 450
 * --currency USD --source-id cnon:card-nonce-ok --customer-id CUSTOMER --db DB` does with a
 * new key: look the key up, check the customer, insert the payment and the key row with its
 * answer, print the answer. */
#include "floor.h"

int main(int argc, char **argv) {
  if (argc != 4) return 64;
  const char *key_text = argv[2], *customer = argv[3];
  open_db(argv[1], 0);
  exec("BEGIN IMMEDIATE");
  check_schema();
  sqlite3_stmt *stored = prepare(
      "SELECT request, stdout, stderr, exit_code FROM idempotency_keys WHERE command = ? AND key = ?");
  sqlite3_bind_text(stored, 1, "create-payment", -1, SQLITE_STATIC);
  sqlite3_bind_text(stored, 2, key_text, -1, SQLITE_STATIC);
  if (sqlite3_step(stored) != SQLITE_DONE) fail("the key is not new");
  sqlite3_finalize(stored);
  sqlite3_stmt *check = prepare("SELECT " CUSTOMER_COLUMNS " FROM customers WHERE id = ?");
  sqlite3_bind_text(check, 1, customer, -1, SQLITE_STATIC);
  if (sqlite3_step(check) != SQLITE_ROW) fail("no such customer");
  sqlite3_finalize(check);

  char id[27], token[27];
  new_id(id);
  new_id(token);
  int64_t created = now_ms();
  sqlite3_stmt *insert = prepare(
      "INSERT INTO payments (id, created_at, updated_at, amount, tip, refunded, currency, status, "
      "source_id, customer_id, reference_id, note, refund_ids, version_token) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  sqlite3_bind_text(insert, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(insert, 2, created);
  sqlite3_bind_int64(insert, 3, created);
  sqlite3_bind_int64(insert, 4, 450);
  sqlite3_bind_int64(insert, 5, 0);
  sqlite3_bind_int64(insert, 6, 0);
  sqlite3_bind_text(insert, 7, "USD", -1, SQLITE_STATIC);
  sqlite3_bind_text(insert, 8, "COMPLETED", -1, SQLITE_STATIC);
  sqlite3_bind_text(insert, 9, "cnon:card-nonce-ok", -1, SQLITE_STATIC);
  sqlite3_bind_text(insert, 10, customer, -1, SQLITE_STATIC);
  sqlite3_bind_null(insert, 11);
  sqlite3_bind_null(insert, 12);
  sqlite3_bind_text(insert, 13, "", -1, SQLITE_STATIC);
  sqlite3_bind_text(insert, 14, token, -1, SQLITE_STATIC);
  if (sqlite3_step(insert) != SQLITE_DONE) fail("insert payment");
  sqlite3_finalize(insert);

  /* The request as optimist fingerprints it, then the answer. */
  used = 0;
  put("{", 1);
  integer_field("amount", 450);
  text_field("currency", (const unsigned char *)"USD");
  text_field("source_id", (const unsigned char *)"cnon:card-nonce-ok");
  text_field("customer_id", (const unsigned char *)customer);
  put("}", 1);
  char request[512];
  memcpy(request, out, used);
  request[used] = 0;

  used = 0;
  put("{", 1);
  text_field("id", (const unsigned char *)id);
  time_field("created_at", created);
  time_field("updated_at", created);
  puts_(",\"amount_money\":{\"amount\":450,\"currency\":\"USD\"}");
  puts_(",\"total_money\":{\"amount\":450,\"currency\":\"USD\"}");
  puts_(",\"approved_money\":{\"amount\":450,\"currency\":\"USD\"}");
  text_field("status", (const unsigned char *)"COMPLETED");
  text_field("source_type", (const unsigned char *)"CARD");
  text_field("customer_id", (const unsigned char *)customer);
  text_field("version_token", (const unsigned char *)token);
  put("}\n", 2);
  out[used] = 0;

  sqlite3_stmt *key_row = prepare(
      "INSERT INTO idempotency_keys (command, key, request, object_id, stdout, stderr, exit_code, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  sqlite3_bind_text(key_row, 1, "create-payment", -1, SQLITE_STATIC);
  sqlite3_bind_text(key_row, 2, key_text, -1, SQLITE_STATIC);
  sqlite3_bind_text(key_row, 3, request, -1, SQLITE_STATIC);
  sqlite3_bind_text(key_row, 4, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(key_row, 5, out, (int)used, SQLITE_STATIC);
  sqlite3_bind_text(key_row, 6, "", -1, SQLITE_STATIC);
  sqlite3_bind_int64(key_row, 7, 0);
  sqlite3_bind_int64(key_row, 8, now_ms());
  if (sqlite3_step(key_row) != SQLITE_DONE) fail("insert key");
  sqlite3_finalize(key_row);
  exec("COMMIT");
  sqlite3_close(db);
  print_output();
  return 0;
}
