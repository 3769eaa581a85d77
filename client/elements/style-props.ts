import { noChange, type AttributePart } from 'lit';
import { Directive, directive, PartType, type PartInfo } from 'lit/directive.js';

/** CSS properties by their CSS names (`background`, `grid-template-columns`, `--run-colour`); undefined removes one. */
export type StyleProps = Record<string, string | undefined>;

/**
 * Lit's `styleMap` through the CSSOM only (`style.setProperty`), for `style=${styleProps({…})}`. The
 * page's CSP (`default-src 'self'`) refuses style attributes, and `styleMap` writes one on its first
 * render, so its first styles are dropped (with a console error); this never writes the attribute.
 */
class StylePropsDirective extends Directive {
  private readonly previous = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ATTRIBUTE || part.name !== 'style' || (part.strings?.length ?? 0) > 2)
      throw new Error('styleProps must be the only binding in a style attribute');
  }

  render(_props: StyleProps): typeof noChange {
    return noChange;
  }

  override update(part: AttributePart, [props]: [StyleProps]): typeof noChange {
    const style = part.element.style;
    for (const name of this.previous) {
      if (props[name] !== undefined) continue;
      style.removeProperty(name);
      this.previous.delete(name);
    }
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined) continue;
      style.setProperty(name, value);
      this.previous.add(name);
    }
    return noChange;
  }
}

export const styleProps = directive(StylePropsDirective);
