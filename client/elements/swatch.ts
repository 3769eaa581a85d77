import { html } from 'lit';
import { styleProps } from './style-props.js';

/** A colour swatch: a span of CSS class `swatch` (sized by the element's styles) in a CSS colour. */
export function swatch(colour: string) {
  return html`<span class="swatch" style=${styleProps({ background: colour })}></span>`;
}
