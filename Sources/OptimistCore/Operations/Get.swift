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

extension StoreEngine {
  /// The objects of `type` with these ids, read in one transaction, in the order asked;
  /// ids with no such object are left out (the server's batch retrieve).
  public func objects(ids: [String], type: ObjectType) throws -> [String] {
    try read { db in
      try ids.compactMap { id in try db.object(id: id, type: type)?.json }
    }
  }
}
