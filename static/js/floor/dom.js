/* Building the page from data without markup strings: elements, attributes and text nodes only, so every
   value lands as text and there is no escaping to forget. Styles go through the CSSOM (`style.setProperty`),
   which a strict Content-Security-Policy allows. */

const SVG_NS = "http://www.w3.org/2000/svg";

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "style") {
      for (const [property, v] of Object.entries(value)) element.style.setProperty(property, v);
    } else if (name === "class" && Array.isArray(value)) {
      element.setAttribute("class", value.filter(Boolean).join(" "));
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === "") continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** An HTML element: h("li", {class: "row", "data-id": 3}, h("strong", null, name), " · ", size). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element, as `h` builds HTML ones. */
export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

const lastBuilt = new WeakMap();

/** Puts the children into the container unless they equal what was put there last time, so a redraw that
    changes nothing keeps focus, open selects and half-typed input. Answers whether it replaced them. */
export function fill(container, ...children) {
  const nodes = [...build(document.createElement("div"), null, children).childNodes];
  const last = lastBuilt.get(container);
  if (last && last.length === nodes.length && nodes.every((node, i) => node.isEqualNode(last[i]))) return false;
  lastBuilt.set(
    container,
    nodes.map((node) => node.cloneNode(true)),
  );
  container.replaceChildren(...nodes);
  return true;
}
