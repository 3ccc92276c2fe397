extension Theme {
    /// Themes/default.yaml, word for word (ThemeTests holds them equal):
    /// the theme a binary without its Themes folder falls back to.
    public static let defaultYAML = """
    # tierwatch default theme: dark background, 256 colours (falls back to 8).
    # It paints its own background (normal's bg; a role without a colour takes
    # normal's), so it reads the same on a white terminal as on a black one.
    # Every status also has its own symbol, so colour is never the only cue.
    # Colours: black red green yellow blue magenta cyan white, bright_* variants,
    # or a 256-colour index 0-255. Attributes: bold dim reverse underline blink.
    name: default
    description: Dark background; green for done, yellow for warnings, red for overdue.
    roles:
      normal: { fg: 252, bg: 16 }
      dim: { fg: 245 }
      header: { fg: bright_white, bg: 24, bold: true }
      header_warning: { fg: black, bg: yellow, bold: true }
      border: { fg: 241 }
      title: { fg: 250 }
      title_focused: { fg: bright_cyan, bold: true }
      selection: { fg: black, bg: cyan }
      selection_unfocused: { reverse: true }
      done: { fg: green }
      active: { fg: cyan, bold: true }
      overdue: { fg: bright_red, bold: true }
      pending: { fg: 245 }
      countdown_ok: { fg: green }
      countdown_warning: { fg: yellow, bold: true }
      countdown_critical: { fg: bright_white, bg: red, bold: true }
      keybar_key: { fg: bright_white, bold: true }
      keybar_label: { fg: black, bg: cyan }
      message: { fg: green }
      error: { fg: bright_red, bold: true }
      banner: { fg: black, bg: yellow, bold: true }
      help: { fg: bright_white, bg: 236 }
      prompt: { fg: bright_yellow, bold: true }
      stale: { fg: 244, underline: true }
      backdated: { fg: bright_magenta }
      wall_digits: { fg: bright_white, bold: true }
      wall_warning: { fg: black, bg: yellow, bold: true }
      wall_breached: { fg: bright_white, bg: red, bold: true }   # no blink: the wall flashes the panel, never the digits
      wall_calm: { fg: green, bold: true }

    """
}
