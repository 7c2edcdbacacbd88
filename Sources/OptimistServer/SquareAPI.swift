import OptimistCore

/// The whole API without the HTTP transport: a request in, Square's answer out.
public struct SquareAPI: Sendable {
  /// The largest request body read (1 MiB); a larger one is 413 REQUEST_ENTITY_TOO_LARGE.
  public static let maximumBodySize = 1 << 20

  let token: BearerToken
  let pool: StorePool

  /// The API over the store at `location` (a SQLite path or a PostgreSQL URL, resolved as
  /// every command resolves `--db`), with `workers` connections.
  init(token: BearerToken, location: String, timeout: Double, workers: Int) {
    self.token = token
    self.pool = StorePool(location: location, timeout: timeout, workers: workers)
  }

  /// Whether the request may be served at all; a refused one is 401 and touches nothing
  /// (its body is not even read).
  public func authorizes(_ authorization: String?) -> Bool {
    token.accepts(authorization)
  }

  /// Square's answer to an authorized request: routed, validated, then run as one
  /// operation on a worker.
  public func respond(to request: APIRequest) async -> APIResponse {
    let job: Job
    do throws(APIError) {
      job = try Route.job(for: request)
    } catch {
      return error.response
    }
    // A GET (or HEAD) only reads: every such route runs a read transaction.
    return await pool.run(job, reading: request.method == "GET" || request.method == "HEAD")
  }
}
