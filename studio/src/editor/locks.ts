import type { ComponentProperties } from 'grapesjs';

/**
 * Component properties for dealer mode (GrapesJS names). `stylable` stays as it is: grapesjs-mjml's
 * views read it as a list, and a dealer has no style manager anyway.
 */

/** Everything the brand did not open: not selectable, movable, removable, copyable or editable, and hidden from the layers. */
export const LOCKED: Partial<ComponentProperties> = {
  selectable: false,
  hoverable: false,
  draggable: false,
  droppable: false,
  removable: false,
  copyable: false,
  editable: false,
  layerable: false,
  badgable: false,
  highlightable: false,
};

/** A slot: its content can be edited in place; it stays where the brand put it. */
export const SLOT_EDITABLE: Partial<ComponentProperties> = {
  selectable: true,
  hoverable: true,
  highlightable: true,
  badgable: true,
  layerable: true,
  editable: true,
  draggable: false,
  droppable: false,
  removable: false,
  copyable: false,
  toolbar: [],
};

/** The inside of a slot (links, line breaks once the text editor has parsed them): edited through the slot's text editor only. */
export const SLOT_CHILD: Partial<ComponentProperties> = { ...LOCKED, editable: true };
