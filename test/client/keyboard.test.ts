import { describe, expect, test } from 'vitest';
import { focusKind, keyAction, type KeyPress } from '../../client/model/keyboard.js';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('keyAction', () => {
  test.each([
    ['ArrowLeft', {}, { kind: 'step', delta: -1 }],
    ['ArrowRight', {}, { kind: 'step', delta: 1 }],
    ['ArrowLeft', { shiftKey: true }, { kind: 'step', delta: -10 }],
    ['ArrowRight', { shiftKey: true }, { kind: 'step', delta: 10 }],
    [' ', {}, { kind: 'toggle-play' }],
    ['Home', {}, { kind: 'first' }],
    ['End', {}, { kind: 'last' }],
    ['l', {}, { kind: 'live' }],
    ['L', { shiftKey: true }, { kind: 'live' }],
    ['?', { shiftKey: true }, { kind: 'help' }],
    ['Escape', {}, { kind: 'close' }],
  ])('%j %j → %j', (key, mods, expected) => {
    expect(keyAction(press(key, mods))).toEqual(expected);
  });

  test('other keys and browser shortcuts are not the page’s', () => {
    expect(keyAction(press('a'))).toBeUndefined();
    expect(keyAction(press('ArrowRight', { ctrlKey: true }))).toBeUndefined();
    expect(keyAction(press('l', { metaKey: true }))).toBeUndefined();
    expect(keyAction(press('ArrowLeft', { altKey: true }))).toBeUndefined();
  });

  test('a text field keeps every key but Escape', () => {
    expect(keyAction(press('ArrowLeft'), 'typing')).toBeUndefined();
    expect(keyAction(press(' '), 'typing')).toBeUndefined();
    expect(keyAction(press('l'), 'typing')).toBeUndefined();
    expect(keyAction(press('?'), 'typing')).toBeUndefined();
    expect(keyAction(press('Escape'), 'typing')).toEqual({ kind: 'close' });
  });

  test('a slider keeps its arrows and Home/End; Space still plays', () => {
    expect(keyAction(press('ArrowRight'), 'slider')).toBeUndefined();
    expect(keyAction(press('Home'), 'slider')).toBeUndefined();
    expect(keyAction(press(' '), 'slider')).toEqual({ kind: 'toggle-play' });
  });

  test('a button keeps Space; arrows still step', () => {
    expect(keyAction(press(' '), 'button')).toBeUndefined();
    expect(keyAction(press('ArrowLeft'), 'button')).toEqual({ kind: 'step', delta: -1 });
  });
});

describe('focusKind', () => {
  test.each([
    ['INPUT', 'text', false, 'typing'],
    ['input', null, false, 'typing'],
    ['INPUT', 'number', false, 'typing'],
    ['INPUT', 'range', false, 'slider'],
    ['INPUT', 'checkbox', false, 'button'],
    ['INPUT', 'radio', false, 'button'],
    ['SELECT', null, false, 'typing'],
    ['TEXTAREA', null, false, 'typing'],
    ['BUTTON', null, false, 'button'],
    ['A', null, false, 'button'],
    ['DIV', null, true, 'typing'],
    ['DIV', null, false, 'none'],
    ['SW-GRID', null, false, 'none'],
  ])('%s type=%s editable=%s → %s', (tag, type, editable, expected) => {
    expect(focusKind(tag, type, editable)).toBe(expected);
  });
});
