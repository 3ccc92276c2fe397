#ifndef TIERWATCH_CNCURSES_SHIM_H
#define TIERWATCH_CNCURSES_SHIM_H

// Wide-character ncurses for Swift. Swift cannot use C macros that take
// arguments or expand to expressions (COLOR_PAIR, getmaxyx, A_BOLD) nor the
// library's mutable globals (stdscr, COLORS), so each is wrapped here in a
// static inline function.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *tw_stdscr(void) { return stdscr; }
static inline int tw_colors(void) { return COLORS; }
static inline int tw_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t tw_color_pair(int n) { return (attr_t)COLOR_PAIR(n); }
static inline void tw_size(int *rows, int *cols) { int y, x; getmaxyx(stdscr, y, x); *rows = y; *cols = x; }

static inline attr_t tw_a_normal(void) { return A_NORMAL; }
static inline attr_t tw_a_bold(void) { return A_BOLD; }
static inline attr_t tw_a_dim(void) { return A_DIM; }
static inline attr_t tw_a_reverse(void) { return A_REVERSE; }
static inline attr_t tw_a_underline(void) { return A_UNDERLINE; }
static inline attr_t tw_a_blink(void) { return A_BLINK; }

static inline int tw_key_f(int n) { return KEY_F(n); }

/// Draws one character cell (a grapheme of up to CCHARW_MAX code points).
static inline int tw_put(int y, int x, const wchar_t *wch, attr_t attrs, short pair) {
    cchar_t c;
    if (setcchar(&c, wch, attrs, pair, NULL) != OK) return ERR;
    return mvadd_wch(y, x, &c);
}

/// The terminal's string capability `name`, or NULL (wraps tigetstr, whose
/// error value (char *)-1 Swift cannot test for).
static inline const char *tw_capability(const char *name) {
    char *s = tigetstr((char *)name);
    return (s == NULL || s == (char *)-1) ? NULL : s;
}

/// Asks the terminal for mouse reports: presses of the first button and the
/// wheel, at once (no click interval). Returns 0 when it has no mouse.
static inline int tw_mouse_on(void) {
    mouseinterval(0);
    return mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL) != 0;
}

/// The mouse event behind a KEY_MOUSE: its cell, and 1 (a press of the
/// first button), 4 (wheel up), 5 (wheel down) or 0 (anything else).
static inline int tw_mouse_read(int *x, int *y) {
    MEVENT e;
    if (getmouse(&e) != OK) return 0;
    *x = e.x; *y = e.y;
    if (e.bstate & BUTTON1_PRESSED) return 1;
    if (e.bstate & BUTTON4_PRESSED) return 4;
    if (e.bstate & BUTTON5_PRESSED) return 5;
    return 0;
}

#endif
