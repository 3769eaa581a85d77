import { css } from 'lit';

/**
 * The look of the page's controls, shared by the elements that have them: buttons, fields and
 * selects in the theme's colours (`--sw-*`, defined by page.css for light and dark), a visible focus
 * ring on keyboard focus, and `.visually-hidden` for labels that only screen readers need.
 */
export const controlStyles = css`
  button,
  input,
  select {
    font: inherit;
    color: var(--sw-fg, #1b1f24);
  }
  button,
  select,
  input[type='number'],
  input[type='text'] {
    background: var(--sw-panel, #f6f8fa);
    border: 1px solid var(--sw-border, #d0d7de);
    border-radius: 4px;
    padding: 2px 8px;
    min-height: 26px;
    box-sizing: border-box;
  }
  button {
    cursor: pointer;
  }
  button:hover:not(:disabled) {
    border-color: var(--sw-accent, #0b63ce);
  }
  button:disabled,
  input:disabled,
  select:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button.primary {
    background: var(--sw-accent, #0b63ce);
    border-color: var(--sw-accent, #0b63ce);
    color: var(--sw-bg, #fff);
  }
  input[type='range'],
  input[type='checkbox'] {
    accent-color: var(--sw-accent, #0b63ce);
  }
  :focus-visible {
    outline: 2px solid var(--sw-accent, #0b63ce);
    outline-offset: 2px;
  }
  progress {
    accent-color: var(--sw-accent, #0b63ce);
  }
  a {
    color: var(--sw-accent, #0b63ce);
  }
  .muted {
    color: var(--sw-muted, #5f6b7a);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
