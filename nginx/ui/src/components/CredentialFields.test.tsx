import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { AuthSubmit } from "./CredentialFields";

afterEach(cleanup);

describe("AuthSubmit", () => {
  it("says a throttle's wait in minutes on every auth form", () => {
    render(<AuthSubmit error="Too many failed logins; try again in 810 seconds" pending={false} label="Log in" pendingLabel="…" />);
    expect(screen.getByText("Too many failed logins; try again in 14 minutes")).toBeTruthy();
    expect(screen.queryByText(/810 seconds/)).toBeNull();
  });

  it("leaves other errors as they are", () => {
    render(<AuthSubmit error="Wrong email or password" pending={false} label="Log in" pendingLabel="…" />);
    expect(screen.getByText("Wrong email or password")).toBeTruthy();
  });
});
