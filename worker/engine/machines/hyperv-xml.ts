import type { ConfigNode } from './hyperv-tree';
import type { XmlElement } from './xml';

/** The XML of a Hyper-V 2008–2012 R2 configuration as the neutral tree: leaves carry their text. */
export function hyperVTreeFromXml(el: XmlElement): ConfigNode {
  const n: ConfigNode = { key: el.name.toLowerCase(), children: el.children.map(hyperVTreeFromXml) };
  if (el.children.length === 0) n.value = el.text;
  return n;
}
