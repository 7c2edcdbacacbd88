import OptimistCore

/// `list --all`: follows the cursors and streams every object as one document.
///
/// Each page is read in a transaction of its own and written before the next is read, so
/// memory stays that of one page and writers wait at most one page's read, however large
/// the store. A refusal (a bad `--type` or `--cursor`) prints nothing on stdout; an error
/// after the first page leaves the document unfinished, with the error on stderr and its
/// exit code.
struct ListAll {
  /// Objects read per transaction.
  static let pageSize = ListRequest.maximumLimit

  let type: String?
  let cursor: String?
  let options: StoreOptions

  func run() {
    var printer = options.style.indented ? JSONPrinter(colored: options.style.colored) : nil
    func print(_ text: String) {
      writeStdout(printer?.feed(text) ?? text)
    }
    let output = options.runCommand { store in
      let type = try type.map(ObjectType.parse)
      var page = try store.list(
        ListRequest(type: type, limit: ListAll.pageSize, cursor: cursor))
      print("{\"objects\":[")
      var separator = ""
      while true {
        var text = ""
        for object in page.objects {
          text += separator + object.json
          separator = ","
        }
        print(text)
        guard let next = page.cursor else { break }
        page = try store.list(ListRequest(type: type, limit: ListAll.pageSize, cursor: next))
      }
      print("]}")
      return StoredAnswer(stdout: printer?.finish() ?? "\n")
    }
    // The end of the document, or the error (stderr and exit code) that cut it short.
    emit(output)
  }
}
