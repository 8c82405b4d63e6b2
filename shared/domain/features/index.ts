export {
  FEATURE_NAMES,
  FEATURE_VERSION,
  NEVER_DAYS,
  type ProfileFeatures,
  profileFeatures,
} from "./profile-features.js";
