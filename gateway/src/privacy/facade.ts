/**
 * What the API may ask of the privacy stage (api/routes/privacy.ts, monitored-households.ts):
 * residents' requests — export, erase, correct, consent given or withdrawn — and their record.
 * Reading consent, masking and the access log are PrivacyCore, in the context every stage shares.
 */
import type { ResidentRequests } from './requests.ts';

export type PrivacyFacade = Pick<ResidentRequests, 'export' | 'erase' | 'correct' | 'recordConsent' | 'list'>;
