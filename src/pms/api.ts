/**
 * What the MCP layer needs from a PMS: the endpoints of the contract, typed. Implemented over HTTP
 * by `PmsClient`; every method rejects with a `PmsError` only.
 */
import type {
  Appointment,
  AppointmentCreate,
  AppointmentPage,
  AppointmentQuery,
  AppointmentTypeList,
  AppointmentTypeQuery,
  AppointmentUpdate,
  Availability,
  AvailabilityQuery,
  ClinicalNote,
  LocationList,
  NoteCreate,
  Patient,
  PatientCreate,
  PatientPage,
  PatientSearchQuery,
  ProviderList,
  StatusChange,
} from "../contract/index.js";

export interface CallOptions {
  /** Aborts the request (e.g. the MCP request was cancelled). */
  signal?: AbortSignal;
}

/**
 * The answer to a booking. `replayed`: the Idempotency-Key had been used before, and this is the
 * answer stored at first booking, which does not show later changes (a cancellation, say).
 */
export interface Booking {
  appointment: Appointment;
  replayed: boolean;
}

export interface PmsApi {
  /**
   * The id of the practice (org) this client acts for. Asynchronous because an embedded PMS only
   * knows it once started; caller passes are bound to it.
   */
  orgId(options?: CallOptions): Promise<string>;
  searchPatients(query: PatientSearchQuery, options?: CallOptions): Promise<PatientPage>;
  getPatient(patientUuid: string, options?: CallOptions): Promise<Patient>;
  createPatient(body: PatientCreate, options?: CallOptions): Promise<Patient>;
  /** Cached briefly: appointment types rarely change. */
  listAppointmentTypes(query?: AppointmentTypeQuery, options?: CallOptions): Promise<AppointmentTypeList>;
  /** Cached briefly. */
  listProviders(options?: CallOptions): Promise<ProviderList>;
  /** Cached briefly. */
  listLocations(options?: CallOptions): Promise<LocationList>;
  checkAvailability(query: AvailabilityQuery, options?: CallOptions): Promise<Availability>;
  /** Sent with the `Idempotency-Key` header; retried on transient failures with the same key. */
  createAppointment(
    body: AppointmentCreate,
    options: CallOptions & { idempotencyKey: string },
  ): Promise<Booking>;
  listAppointments(query: AppointmentQuery, options?: CallOptions): Promise<AppointmentPage>;
  getAppointment(appointmentUuid: string, options?: CallOptions): Promise<Appointment>;
  updateAppointment(appointmentUuid: string, body: AppointmentUpdate, options?: CallOptions): Promise<Appointment>;
  changeAppointmentStatus(appointmentUuid: string, body: StatusChange, options?: CallOptions): Promise<Appointment>;
  addAppointmentNote(appointmentUuid: string, body: NoteCreate, options?: CallOptions): Promise<ClinicalNote>;
}
