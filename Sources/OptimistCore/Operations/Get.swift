extension StoreEngine {
  /// Prints the object with this id, of any type.
  public func get(id: String) throws -> Output {
    try read { db in
      guard let object = try db.object(id: id) else { throw OptimistError.notFound(id: id, field: "id") }
      return .success(object.json)
    }
  }

  /// Prints the object of `type` with this id; one of another type is NOT_FOUND.
  public func get(id: String, type: ObjectType) throws -> Output {
    try read { db in
      guard let object = try db.object(id: id, type: type) else {
        throw OptimistError.notFound(id: id, field: "id")
      }
      return .success(object.json)
    }
  }
}
