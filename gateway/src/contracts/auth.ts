/** Who is calling: a logged-in staff member as the API, the stream and the workflow see them. */
import type { Role } from './site.ts';

export interface AuthUser {
  id: string;
  name: string;
  username: string;
  roles: Role[];
  grid: string;
  onCall: 'A' | 'B' | null;
}
