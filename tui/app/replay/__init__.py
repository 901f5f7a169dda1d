"""`authlib-tui replay FILE`: the app's panes on a recording, with a cursor that plays and seeks."""
