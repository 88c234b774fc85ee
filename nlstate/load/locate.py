"""Where a key path is in a YAML/JSON text: line and column from PyYAML's node marks.

Used only when something is wrong, so the fast parse that loads files need not keep
positions (composing a node tree is much slower than parsing to plain objects).
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from nlstate.collector import paused_gc

from .yaml_text import StateFileLoader

Location = tuple[int, int]  # 1-based line, column


class Locator:
    def __init__(self, text: str) -> None:
        self._root: yaml.Node | None
        try:
            with paused_gc():  # a node per scalar: 100k routes compose 4x faster so
                self._root = yaml.compose(text, Loader=StateFileLoader)
        except yaml.YAMLError:
            self._root = None

    def find(self, loc: Sequence[str | int]) -> Location | None:
        """The position of the deepest node that `loc` reaches. A final key that is in the
        file (an unknown key, say) gives the key's own position."""
        node = self._root
        if node is None:
            return None
        best = _start(node)
        for part in loc:
            child = _child(node, part)
            if child is None:
                continue  # a segment of pydantic's own (a union member), not of the file
            key_node, node = child
            best = _start(key_node if key_node is not None and part == loc[-1] else node)
        return best


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key, value
    elif (isinstance(node, yaml.SequenceNode) and isinstance(part, int)
          and 0 <= part < len(node.value)):
        return None, node.value[part]
    return None


def _start(node: yaml.Node) -> Location:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1
