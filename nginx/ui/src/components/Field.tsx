import type { InputHTMLAttributes, ReactNode } from "react";

/** A labelled form control: `<label class="field"><span>label</span>{control}</label>`. */
export function Field({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

/** A labelled text input; `onValue` gets the new text. Other props go to the <input>. */
export function InputField({
  label,
  onValue,
  children,
  ...input
}: { label: ReactNode; onValue: (value: string) => void; children?: ReactNode } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "onChange" | "children"
>) {
  return (
    <Field label={label}>
      <input {...input} onChange={(e) => onValue(e.target.value)} />
      {children}
    </Field>
  );
}
