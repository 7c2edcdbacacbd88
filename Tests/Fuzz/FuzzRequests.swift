// libFuzzer target over the code that turns command-line values into typed, validated requests
// and their fingerprints.
// Built and run by `make fuzz` (part of `make stress`): compiled together with the library
// sources, with -sanitize=fuzzer,address. A crash leaves its input in .build-fuzz/crash-*;
// add that input to Tests/OptimistCoreTests as a regression test (none found so far).

/// Splits the input into up to eight values at 0x00 bytes; the first byte picks the request.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequests(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeBufferPointer(start: data, count: size)
  guard let selector = bytes.first else { return 0 }
  var values = bytes.dropFirst().split(separator: 0, maxSplits: 7, omittingEmptySubsequences: false)
    .map { String(decoding: $0, as: UTF8.self) }
  while values.count < 8 { values.append("") }
  let optional = { (index: Int) -> String? in values[index].isEmpty ? nil : values[index] }

  // Selectors 8 and 9 read the rest of the input whole, as JSON: a batch, and a whole object
  // given back to `edit`.
  let rest = String(decoding: bytes.dropFirst(), as: UTF8.self)
  switch selector % 10 {
  case 0:
    _ = try? CreateRequest(
      type: .customer,
      values: FieldValues(
        .customer,
        given: Customer.fields.enumerated().map { ($0.element.name, optional($0.offset)) }),
      key: IdempotencyKey(optional(7))
    ).fingerprint
  case 1:
    _ = try? CreateRequest(
      type: .item,
      values: FieldValues(
        .item, given: CatalogItem.fields.enumerated().map { ($0.element.name, optional($0.offset)) }
      ),
      key: IdempotencyKey(optional(3))
    ).fingerprint
  case 2:
    let given = values[2...4].map { ($0, Optional($0)) } + values[5...6].map { ($0, String?.none) }
    _ = try? UpdateRequest(
      id: values[0], version: Values.version(optional(1)),
      changes: FieldChange.list(given) { (field, raw) throws(OptimistError) in try field.parse(raw)
      },
      key: IdempotencyKey(optional(7))
    ).fingerprint
  case 3:
    _ = try? PaymentRequest(
      key: IdempotencyKey(values[0]),
      amount: Money(amount: PaymentRequest.amount(values[1]), currency: Currency(values[2])),
      sourceID: values[3], customerID: optional(4), referenceID: optional(5), note: optional(6),
      autocomplete: Values.boolean(optional(7), field: "autocomplete")
    ).fingerprint
  case 4:
    _ = try? ListRequest(
      type: optional(0).map(ObjectType.parse), limit: Values.limit(optional(1)),
      cursor: optional(2))
  case 5:
    _ = try? PaymentUpdateRequest(
      id: values[0], key: IdempotencyKey(values[1]), versionToken: optional(2),
      amount: optional(3).map { (raw) throws(OptimistError) in
        try Money.amount(raw, field: "amount_money.amount", positive: true)
      },
      tip: optional(4).map { (raw) throws(OptimistError) in
        try Money.amount(raw, field: "tip_money.amount", positive: false)
      }
    ).fingerprint
  case 6:
    _ = try? RefundRequest(
      key: IdempotencyKey(values[0]), paymentID: values[1],
      amount: Money(
        amount: Money.amount(values[2], field: "amount_money.amount", positive: true),
        currency: Currency(values[3])),
      reason: optional(4), paymentVersionToken: optional(5)
    ).fingerprint
  case 8:
    if let json = try? JSONValue.parse(rest) {
      _ = try? BatchRequest(json: json, key: IdempotencyKey(optional(7))).fingerprint
    }
  case 9:
    if let json = try? JSONValue.parse(rest) {
      for type in [ObjectType.customer, .item] {
        let object = VersionedObject(
          type: type, id: "ID", version: 3, createdAt: Timestamp(milliseconds: 0),
          updatedAt: Timestamp(milliseconds: 1),
          values: type == .item ? ["name": .text("T")] : ["note": .text("n")])
        _ = try? object.changes(toMatch: json)
      }
    }
  default:
    _ = try? Values.duration(values[0], field: "older_than")
    _ = try? Values.version(values[1])
    _ = try? DatabasePath.resolve(option: values[2], environment: { _ in nil })
    _ = JSONObject.quoted(values[3])
    _ = try? HistoryRequest(id: values[4], limit: Values.limit(optional(5)), cursor: optional(6))
    _ = try? Values.version(values[7], field: "changed_from")
    _ = try? Values.version(values[7], field: "at_version")
    _ = try? Values.count(values[6], field: "keep")
  }
  return 0
}
