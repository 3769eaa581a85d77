/**
 * The page's keyboard shortcuts, pure: which action a key press asks for, given what has the focus.
 * The shortcuts act on the one time cursor (←/→ step, Shift ×10, Space plays, Home/End, `l` follows
 * live) and the help overlay (`?` opens it, Escape closes it). A focused control keeps the keys it
 * handles itself: a text field all of them, a slider its arrows and Home/End, a button Space.
 */

/** What a key press asks the page to do. */
export type KeyAction =
  | { kind: 'step'; delta: number }
  | { kind: 'toggle-play' }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'live' }
  | { kind: 'help' }
  | { kind: 'close' };

/** The parts of a keyboard event the mapping reads (a KeyboardEvent has them all). */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/**
 * What has the focus, as far as keys go: `typing` (a text or number field, a select, editable text),
 * `slider` (a range input), `button` (a button, link, checkbox or radio) or `none`.
 */
export type FocusKind = 'typing' | 'slider' | 'button' | 'none';

/** How many steps Shift+←/→ moves. */
export const SHIFT_STEPS = 10;

/** The shortcuts as the help overlay lists them. */
export const SHORTCUTS: readonly { keys: string[]; description: string }[] = [
  { keys: ['←', '→'], description: 'Step back / forward one step' },
  { keys: ['Shift', '←', '→'], description: `Step back / forward ${SHIFT_STEPS} steps` },
  { keys: ['Space'], description: 'Play / pause' },
  { keys: ['Home', 'End'], description: 'First / newest step' },
  { keys: ['l'], description: 'Follow the live run (the newest step)' },
  { keys: ['?'], description: 'Show this help' },
  { keys: ['Esc'], description: 'Close this help' },
];

/** The focus kind of an element by its tag name (any case), `type` attribute and editability. */
export function focusKind(tagName: string, type: string | null, editable: boolean): FocusKind {
  const tag = tagName.toLowerCase();
  if (editable || tag === 'textarea' || tag === 'select') return 'typing';
  if (tag === 'input') {
    const kind = (type ?? 'text').toLowerCase();
    if (kind === 'range') return 'slider';
    if (['checkbox', 'radio', 'button', 'submit', 'reset'].includes(kind)) return 'button';
    return 'typing';
  }
  if (tag === 'button' || tag === 'a' || tag === 'summary') return 'button';
  return 'none';
}

/** The action a key press asks for, or undefined: not a shortcut, or the focused control's own key. */
export function keyAction(press: KeyPress, focus: FocusKind = 'none'): KeyAction | undefined {
  if (press.key === 'Escape') return { kind: 'close' };
  // Browser and system shortcuts (Ctrl+←, Cmd+L) stay theirs.
  if (press.ctrlKey || press.metaKey || press.altKey || focus === 'typing') return undefined;
  const sliderKey = ['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(press.key);
  if (focus === 'slider' && sliderKey) return undefined;
  switch (press.key) {
    case 'ArrowLeft':
      return { kind: 'step', delta: press.shiftKey ? -SHIFT_STEPS : -1 };
    case 'ArrowRight':
      return { kind: 'step', delta: press.shiftKey ? SHIFT_STEPS : 1 };
    case 'Home':
      return { kind: 'first' };
    case 'End':
      return { kind: 'last' };
    case ' ':
      return focus === 'button' ? undefined : { kind: 'toggle-play' };
    case 'l':
    case 'L':
      return { kind: 'live' };
    case '?':
      return { kind: 'help' };
    default:
      return undefined;
  }
}
