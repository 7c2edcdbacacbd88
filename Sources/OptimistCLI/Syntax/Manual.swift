/// The man page `optimist.1`, written from the same declarations as help.
///
/// `optimist --generate-manual` prints it; `make install` installs it in PREFIX/share/man/man1.
enum Manual {
  static func page() -> String {
    var out = [
      ".TH OPTIMIST 1 \"\" \"\(escape("optimist " + Optimist.build.version))\" \"User Commands\"",
      // No hyphenation and a ragged right edge: option names must stay whole.
      ".nh",
      ".ad l",
      ".SH NAME",
      "optimist \\- \(escape(Optimist.about.abstract))",
      ".SH SYNOPSIS",
      ".B optimist",
      ".I command",
      ".RI [ options ]",
      ".SH DESCRIPTION",
    ]
    out += paragraphs(Optimist.about.discussion)
    out.append(".SH OPTIONS")
    for (label, help) in Optimist.rootOptions {
      out += [".TP", ".B \(escape(label))", escape(help)]
    }
    out.append(".SH COMMANDS")
    for command in Optimist.commands {
      let about = command.about
      let specs = command.declarations
      // Filled like text, but never broken inside one `[--name <value>]`.
      let usage = (["optimist", about.name] + Help.usageParts(specs)).map {
        escape($0).replacingAll(" ", with: "\\ ")
      }
      out += [".SS \(escape(about.name))", ".PP", usage.joined(separator: " ")]
      out += paragraphs([about.abstract] + about.discussion)
      for spec in specs {
        out += [".TP", ".B \(escape(spec.label))", escape(Help.describe(spec))]
      }
      if !about.examples.isEmpty {
        out += [".PP", "Example:", ".PP", ".RS 4", ".nf"]
        out += about.examples.map(escape)
        out += [".fi", ".RE"]
      }
    }
    out += [
      ".SH ENVIRONMENT",
      ".TP", ".B OPTIMIST_DB",
      "The database file when --db is not given.",
      ".TP", ".B XDG_DATA_HOME",
      "Else the database is $XDG_DATA_HOME/optimist/optimist.db, else ~/.local/share/optimist/optimist.db.",
      ".TP", ".B NO_COLOR",
      "When set and not empty, JSON on a terminal is indented but not coloured (--color always overrides it).",
      ".TP", ".B OPTIMIST_ALLOW_NETWORK_FS",
      "1 lets optimist use a database on a network file system; only if a single machine ever uses it.",
      ".TP", ".B OPTIMIST_KNOWN_STATES",
      "off (any value but on, 1, true or yes): on PostgreSQL, keep no copy of the objects "
        + "last read or written in $XDG_CACHE_HOME/optimist/known (else "
        + "~/.cache/optimist/known); a write that changes an object then waits for the server "
        + "twice instead of once.",
      ".TP", ".B XDG_CACHE_HOME",
      "Where the copies of OPTIMIST_KNOWN_STATES are kept.",
      ".TP", ".B COLUMNS",
      "The width help text is wrapped to.",
      ".SH SEE ALSO",
      ".BR sqlite3 (1),",
      ".BR jq (1)",
    ]
    return out.joined(separator: "\n") + "\n"
  }

  private static func paragraphs(_ texts: [String]) -> [String] {
    texts.flatMap { [".PP", escape($0)] }
  }

  /// Text as roff reads it literally: backslashes and dashes escaped, no line starting with
  /// a control character.
  static func escape(_ text: String) -> String {
    var out = text.replacingAll("\\", with: "\\e").replacingAll("-", with: "\\-")
    if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
    return out
  }
}
