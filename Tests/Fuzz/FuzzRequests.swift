// libFuzzer target over the code that turns command-line values into validated requests.
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

  switch selector % 8 {
  case 0:
    _ = try? CreateRequest(
      type: .customer,
      raw: Customer.fields.enumerated().map { ($0.element.name, optional($0.offset)) },
      key: optional(7))
  case 1:
    _ = try? CreateRequest(
      type: .item, raw: CatalogItem.fields.enumerated().map { ($0.element.name, optional($0.offset)) },
      key: optional(3))
  case 2:
    _ = try? UpdateRequest(
      id: values[0], version: optional(1), set: Array(values[2...4]), unset: Array(values[5...6]),
      key: optional(7))
  case 3:
    _ = try? PaymentRequest(
      key: values[0], amount: values[1], currency: values[2], sourceID: values[3],
      customerID: optional(4), referenceID: optional(5), note: optional(6),
      autocomplete: optional(7))
  case 4:
    _ = try? ListRequest(type: optional(0), limit: optional(1), cursor: optional(2))
  case 5:
    _ = try? PaymentUpdateRequest(
      id: values[0], key: values[1], versionToken: optional(2), amount: optional(3), tip: optional(4))
  case 6:
    _ = try? RefundRequest(
      key: values[0], paymentID: values[1], amount: values[2], currency: values[3],
      reason: optional(4), paymentVersionToken: optional(5))
  default:
    _ = try? Values.duration(values[0], field: "older_than")
    _ = try? Values.version(values[1])
    _ = try? DatabasePath.resolve(option: values[2], environment: { _ in nil })
    _ = JSONObject.quoted(values[3])
    _ = try? HistoryRequest(id: values[4], limit: optional(5), cursor: optional(6))
    _ = try? WaitRequest(id: values[4], changedFrom: values[7], timeout: nil)
    _ = try? Values.version(values[7], field: "at_version")
  }
  return 0
}
