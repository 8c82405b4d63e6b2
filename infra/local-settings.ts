import { PREVIEW_SHOP } from "#shared/render/preview-settings.js";
import type { TailorStackProps } from "./tailor-stack.js";

/**
 * The settings of the local stack (`npm start`) and of the tests that synthesise the app: the simulator's demo
 * shop (`example.com`, reserved for examples), given explicitly. Never defaults: `cdk synth` and `cdk deploy`
 * (`bin/app.ts`) do not read them, so a real deploy cannot inherit them and must give its own.
 */
export const LOCAL_STACK_SETTINGS = {
  fromAddress: `${PREVIEW_SHOP.name} <shop@example.com>`,
  shopName: PREVIEW_SHOP.name,
  shopUrl: PREVIEW_SHOP.url,
  shopLogoUrl: PREVIEW_SHOP.logo_url,
  shopPostalAddress: PREVIEW_SHOP.postal_address,
  alarmEmail: "alarms@example.com",
} as const satisfies TailorStackProps;

/**
 * SMS on for the local stack that `tailor up` and `tailor start` synthesise (the SMS emulator stands in for End User
 * Messaging SMS and accepts any identity): kept apart from {@link LOCAL_STACK_SETTINGS}, so the tests' shared
 * template stays the default stack (SMS off) and the SMS stack is synthesised only where a test asks for it.
 */
export const LOCAL_SMS_SETTINGS = {
  sms: "on",
  smsOriginationIdentity: "arn:aws:sms-voice:us-east-1:000000000000:phone-number/phone-local",
  smsConfigurationSet: "tailor-sms-local",
} as const satisfies TailorStackProps;
