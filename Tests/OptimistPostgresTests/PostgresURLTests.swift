import Testing

@testable import OptimistPostgres

@Suite struct PostgresURLTests {
  @Test(arguments: [
    ("postgresql://ada:s3cret@db.example:5432/shop", "postgresql://ada:***@db.example:5432/shop"),
    (
      "postgres://ada:p%40ss@host/shop?sslmode=require",
      "postgres://ada:***@host/shop?sslmode=require"
    ),
    (
      "postgresql://ada@host/shop?password=hunter2&sslmode=disable",
      "postgresql://ada@host/shop?password=***&sslmode=disable"
    ),
    ("postgresql:///shop?host=/run/pg", "postgresql:///shop?host=/run/pg"),
    (
      "postgresql://ada:s3cret@db1:5432,db2:5433/shop?target_session_attrs=read-write",
      "postgresql://ada:***@db1:5432,db2:5433/shop?target_session_attrs=read-write"
    ),
    (
      "postgresql://ada@/shop?host=db1,db2&port=5432,5433&password=s3cret",
      "postgresql://ada@/shop?host=db1,db2&port=5432,5433&password=***"
    ),
  ])
  func passwordsAreMasked(_ url: String, _ shown: String) {
    #expect(PostgresURL(url).redacted == shown)
  }

  @Test func aMessageLosesTheDecodedPasswordToo() {
    let url = PostgresURL("postgresql://ada:p%40ss@host/shop")
    #expect(url.redact("bad password p@ss for p%40ss") == "bad password *** for ***")
  }
}
