// Starts GOV.UK Frontend's components. A separate file rather than an inline module script,
// so the Content-Security-Policy needs no nonce for it (GOV.UK Frontend's documented setup).
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()
