/// The known name nearest to a mistyped one, for "did you mean …?" in error messages.
///
/// Nearest by edit distance (insertions, deletions, substitutions, and swaps of two
/// neighbouring characters), compared without regard to case; nil when no name is close
/// enough to be a likely typo: at most 1 edit for names up to 4 characters, 2 up to 8, else 3.
public func nearestName(to typed: String, in names: [String]) -> String? {
  let word = Array(typed.lowercased().unicodeScalars)
  var best: (name: String, distance: Int)?
  for name in names {
    let candidate = Array(name.lowercased().unicodeScalars)
    let limit = candidate.count <= 4 ? 1 : candidate.count <= 8 ? 2 : 3
    let distance = editDistance(word, candidate)
    if distance <= limit, distance < best?.distance ?? Int.max { best = (name, distance) }
  }
  return best?.name
}

/// Optimal string alignment distance between two sequences of scalars.
private func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var before = [Int](repeating: 0, count: b.count + 1)
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        current[j] = min(current[j], before[j - 2] + 1)
      }
    }
    (before, previous, current) = (previous, current, before)
  }
  return previous[b.count]
}
