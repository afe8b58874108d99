import { createContext, useContext } from "react";

export type SignedIn = {
  deploymentUrl: string;
  accessKey: string;
  signOut: () => void;
};

export const SignedInContext = createContext<SignedIn | null>(null);

/** The signed-in device's deployment and access key; only inside the signed-in app. */
export function useSignedIn(): SignedIn {
  const signedIn = useContext(SignedInContext);
  if (!signedIn) {
    throw new Error("useSignedIn outside the signed-in app");
  }
  return signedIn;
}
