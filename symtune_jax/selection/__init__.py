"""INSTA task selection (method C): encoder -> scores -> top-k -> rates file.

`encoder.Encoder` (sentence-transformers, on-disk cache), `select` (pure
scoring, rank vote, rates), `selector.select_tasks` (cards -> `Selection`),
`align` (fit the encoder to a meta-dataset's instruction style),
`rates_file` / `mixture_rates` (the rates file a mixture is registered from).
"""
