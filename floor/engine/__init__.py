"""The floor's computation in plain Python and numpy: no Django, no database.

- `floor.engine.floor`: the floor as every reader sees it (one `FloorTable`, one `FloorServer`, one
  `FloorSnapshot`, the party at a table), the vocabulary the engine shares with the models, and the
  pure input rules (party size, preferences, the shift window).
- `floor.engine.server_order`: who takes the next party in each mode, and who may take each table.
- `floor.engine.routing`: the scores, pacing holds and the ranked recommendations.
- `floor.engine.reasons`: the one-line sentences a host reads beside them.
- `floor.engine.quotes`: the learned turn model and the Monte Carlo queue simulation behind the quotes.

`floor.selectors` turns rows into these inputs; services, the simulator, the benchmarks and plain unit
tests drive the engine directly. import-linter forbids Django here (pyproject.toml), and a test imports
the engine in a fresh interpreter to prove Django stays unloaded."""
