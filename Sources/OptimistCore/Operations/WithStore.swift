/// The entry point of every command: the store named by `database` (or its defaults), opened
/// lazily, given to `body`; any error becomes the `OptimistError` the user sees.
///
/// `body` builds its typed request before it touches the store, so a refused request never
/// creates or changes the database.
public func withStore<T>(
  database: String?, timeout: Double, _ body: (any StoreEngine) throws -> T
) -> Result<T, OptimistError> {
  do {
    let location = try DatabasePath.resolve(option: database)
    return .success(try body(Engines.open(location, timeout: timeout)))
  } catch {
    return .failure(OptimistError(error, timeout: timeout))
  }
}
