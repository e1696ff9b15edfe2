/**
 * `GET /api/templates`: the practice's message templates for the composer, from the app's own origin (no EHR
 * token, no PHI: the texts hold placeholders, filled in the browser from the chart). Not cached by the browser, so
 * an administrator's edit shows at the next picker opening. docs/decisions/073-message-templates.md
 */
import express, { type Router } from 'express';
import type { TemplateSource } from '../templates/templateFile';
import { outcome } from './errorHandler';

/** The templates route, serving `source`. */
export function templateRoutes(source: TemplateSource): Router {
  const router = express.Router();
  router.get('/api/templates', (_req, res) => {
    const result = source.read();
    res.setHeader('Cache-Control', 'no-cache');
    if (!result.ok) {
      res
        .status(503)
        .type('application/fhir+json')
        .send(
          JSON.stringify(
            outcome(
              'exception',
              `The practice's message templates cannot be used: ${result.problem}. Ask IT to fix the template file.`,
            ),
          ),
        );
      return;
    }
    res.json(result.set);
  });
  return router;
}
