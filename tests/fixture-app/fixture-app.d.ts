// Intentionally empty: see tsconfig.json.
