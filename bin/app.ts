#!/usr/bin/env -S npx tsx
import { buildApp } from "../infra/app.js";

/** The CDK app the CLI runs (`cdk synth`, `cdk deploy`); see `cdk.json`. */
const { app } = buildApp();
app.synth();
