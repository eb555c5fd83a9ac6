"""Orbit ML inference service."""

from __future__ import annotations

import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel
from sklearn.linear_model import LogisticRegression

app = FastAPI(title="orbit-ml")

# Tiny placeholder model so the service boots without a model artifact.
_model = LogisticRegression().fit(np.array([[0.0], [1.0]]), np.array([0, 1]))


class PredictRequest(BaseModel):
    features: list[float]


@app.get("/api/health")
def health() -> dict[str, str]:
    return {"status": "healthy", "service": "ml-inference"}


@app.post("/api/predict")
def predict(req: PredictRequest) -> dict[str, float]:
    x = np.array(req.features, dtype=float).reshape(-1, 1)
    proba = _model.predict_proba(x)[:, 1]
    return {"score": float(proba.mean())}
