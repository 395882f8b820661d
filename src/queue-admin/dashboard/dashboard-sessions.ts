import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { parseCookie, stringifySetCookie } from 'cookie';
import { createHmac } from 'node:crypto';
import type { AuthUser } from '../../common/decorators/current-user.decorator';
import { roleHasPermission } from '../../common/permissions/permission-catalogue';
import { isObjectIdString } from '../../common/utils/object-id';
import { appConfig, type AppConfig } from '../../config/app.config';
import { authConfig, type AuthConfig } from '../../config/auth.config';
import { AuthUserCache } from '../../credentials/auth-user.cache';
import { UsersRepository } from '../../users/users.repository';

/** Where the queue dashboard is served (HTML, assets and its own JSON API). */
export const DASHBOARD_PATH = '/admin/queues';
export const DASHBOARD_COOKIE = 'queue_dashboard_session';
/** How long a dashboard session lasts; the admin opens a new one after it. */
export const DASHBOARD_SESSION_SECONDS = 15 * 60;

const SESSION_TYPE = 'queue-dashboard';

interface SessionPayload {
  sub: string;
  type: typeof SESSION_TYPE;
}

export interface DashboardSession {
  /** The `Set-Cookie` header value. */
  cookie: string;
  expiresAt: Date;
}

/**
 * Sessions of the queue dashboard. A browser cannot send a bearer token when it navigates, so an
 * admin trades an access token for a short-lived cookie: HttpOnly (no script reads it),
 * SameSite=Strict (no other site can make the browser send it, which also rules out cross-site
 * request forgery of the dashboard's retry and clean actions), scoped to the dashboard's path
 * and Secure when the API is served over https. Its value is a JWT signed with a key derived
 * from `JWT_SECRET` for this purpose alone, so it is never accepted as an access token, and every
 * instance can check it. Each request re-reads the user: a session ends as soon as its admin is
 * disabled, deleted or loses the permission.
 */
@Injectable()
export class DashboardSessions {
  private readonly jwt: JwtService;
  private readonly secure: boolean;

  constructor(
    @Inject(authConfig.KEY) auth: AuthConfig,
    @Inject(appConfig.KEY) app: AppConfig,
    private readonly users: UsersRepository,
    private readonly cache: AuthUserCache,
  ) {
    this.jwt = new JwtService({
      secret: createHmac('sha256', auth.jwtSecret).update(SESSION_TYPE).digest('base64url'),
      signOptions: { algorithm: 'HS256' },
      verifyOptions: { algorithms: ['HS256'] },
    });
    this.secure = new URL(app.appUrl).protocol === 'https:';
  }

  issue(user: AuthUser): DashboardSession {
    const payload: SessionPayload = { sub: user.id, type: SESSION_TYPE };
    const token = this.jwt.sign(payload, { expiresIn: DASHBOARD_SESSION_SECONDS });
    return {
      cookie: this.setCookie(token, DASHBOARD_SESSION_SECONDS),
      expiresAt: new Date(Date.now() + DASHBOARD_SESSION_SECONDS * 1000),
    };
  }

  /** The `Set-Cookie` header value that ends the session in the browser. */
  clear(): string {
    return this.setCookie('', 0);
  }

  /** The admin a request's `Cookie` header opens the dashboard for, or null. */
  async userFor(cookieHeader: string | undefined): Promise<AuthUser | null> {
    const token = cookieHeader ? parseCookie(cookieHeader)[DASHBOARD_COOKIE] : undefined;
    if (!token) return null;
    let payload: SessionPayload;
    try {
      payload = this.jwt.verify<SessionPayload>(token);
    } catch {
      return null;
    }
    if (payload.type !== SESSION_TYPE || !isObjectIdString(payload.sub)) return null;
    const state = await this.cache.get(payload.sub, () =>
      this.users.findAuthStateById(payload.sub),
    );
    if (!state || state.isDisabled || !roleHasPermission(state.role, 'manage-queues')) {
      return null;
    }
    return { id: payload.sub, role: state.role, email: state.email };
  }

  private setCookie(value: string, maxAge: number): string {
    return stringifySetCookie({
      name: DASHBOARD_COOKIE,
      value,
      path: DASHBOARD_PATH,
      maxAge,
      httpOnly: true,
      sameSite: 'strict',
      secure: this.secure,
    });
  }
}
