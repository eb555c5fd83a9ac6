"""`railcheck server`: findings, fixes and documentation in editors, over the Language Server Protocol.

`checker` checks the service an edited buffer belongs to (the engine over the project with the open
buffers as overlay) and knows nothing about the protocol; `positions` converts railcheck's offsets to the
protocol's line/character positions; `hover` writes the hover texts; `server` is the pygls wiring, and the
only module that imports pygls (so a plain `railcheck check` never does).
"""
