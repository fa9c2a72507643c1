import type { RatingLevel } from '@motcua/metrics';

/** An administrative procedure (thủ tục hành chính) handled at commune level. */
export interface Procedure {
  code: string;
  name: string;
  /** Processing time promised on the receipt slip, in working days (0.5 = within the day). */
  days: number;
  /** Relative frequency among direct and postal dossiers. */
  direct: number;
  /** Relative frequency among online dossiers. */
  online: number;
  /** The procedure carries a fee or charge (phí, lệ phí). */
  fee: boolean;
}

/**
 * Commune-level procedures with plausible TTHC codes and promised times. The mix is illustrative
 * (certification of copies dominates counter traffic; civil status and land matters follow).
 * Fees: certification, extracts, household business, land and building matters carry one; birth,
 * marriage and death registration and social assistance are free.
 */
export const PROCEDURES: readonly Procedure[] = [
  {
    code: '2.000815',
    name: 'Chứng thực bản sao từ bản chính giấy tờ, văn bản',
    days: 0.5,
    direct: 40,
    online: 14,
    fee: true,
  },
  {
    code: '2.000884',
    name: 'Chứng thực chữ ký trong các giấy tờ, văn bản',
    days: 0.5,
    direct: 10,
    online: 2,
    fee: true,
  },
  {
    code: '2.000913',
    name: 'Chứng thực hợp đồng, giao dịch liên quan đến tài sản',
    days: 2,
    direct: 4,
    online: 1,
    fee: true,
  },
  { code: '1.001193', name: 'Đăng ký khai sinh', days: 1, direct: 8, online: 14, fee: false },
  { code: '1.000894', name: 'Đăng ký kết hôn', days: 1, direct: 3, online: 3, fee: false },
  { code: '1.000656', name: 'Đăng ký khai tử', days: 1, direct: 2, online: 3, fee: false },
  {
    code: '1.004873',
    name: 'Cấp giấy xác nhận tình trạng hôn nhân',
    days: 3,
    direct: 5,
    online: 10,
    fee: true,
  },
  { code: '1.001022', name: 'Cấp bản sao trích lục hộ tịch', days: 1, direct: 3, online: 6, fee: true },
  { code: '1.001612', name: 'Đăng ký thành lập hộ kinh doanh', days: 3, direct: 3, online: 6, fee: true },
  {
    code: '2.000286',
    name: 'Giải quyết trợ cấp xã hội hàng tháng',
    days: 7,
    direct: 2,
    online: 2,
    fee: false,
  },
  {
    code: '1.000775',
    name: 'Đăng ký biến động quyền sử dụng đất, tài sản gắn liền với đất',
    days: 10,
    direct: 3,
    online: 5,
    fee: true,
  },
  {
    code: '1.004206',
    name: 'Cấp giấy chứng nhận quyền sử dụng đất lần đầu',
    days: 15,
    direct: 1,
    online: 2,
    fee: true,
  },
  {
    code: '1.003003',
    name: 'Cấp giấy phép xây dựng nhà ở riêng lẻ',
    days: 15,
    direct: 1,
    online: 2,
    fee: true,
  },
];

export const SUPPLEMENT_REASONS: readonly string[] = [
  'Tờ khai chưa điền đầy đủ thông tin theo mẫu',
  'Thiếu bản sao có chứng thực giấy tờ liên quan',
  'Cần bổ sung sơ đồ thửa đất',
  'Chữ ký trên tờ khai chưa hợp lệ',
  'Cần bổ sung văn bản ủy quyền',
];

export const REJECT_REASONS: readonly string[] = [
  'Hồ sơ không thuộc thẩm quyền giải quyết của cấp xã',
  'Hồ sơ không đủ điều kiện theo quy định',
  'Quá thời hạn bổ sung hồ sơ',
];

/** Why a petition (PAKN) was not taken up. */
export const PETITION_REJECT_REASONS: readonly string[] = [
  'Nội dung không thuộc thẩm quyền giải quyết của cấp xã',
  'Nội dung đã được trả lời trước đó',
  'Không đủ thông tin để xem xét',
];

/** What a petition's sender is asked to add. */
export const PETITION_SUPPLEMENT_REASONS: readonly string[] = [
  'Đề nghị cung cấp mã số hồ sơ liên quan',
  'Đề nghị mô tả cụ thể thời gian, địa điểm sự việc',
];

export const COMMENTS: Readonly<Record<RatingLevel, readonly string[]>> = {
  very_satisfied: [
    'Cán bộ hướng dẫn tận tình, chu đáo.',
    'Thủ tục nhanh gọn, rất hài lòng.',
    'Trả kết quả sớm hơn ngày hẹn.',
    'Nơi tiếp dân sạch sẽ, gọn gàng.',
  ],
  satisfied: [
    'Giải quyết đúng hẹn.',
    'Thái độ phục vụ tốt.',
    'Nên có thêm ghế ngồi cho người chờ.',
    'Hướng dẫn dễ hiểu.',
  ],
  unsatisfied: [
    'Phải chờ lâu, cần cải thiện.',
    'Hướng dẫn chưa rõ ràng, phải đi lại nhiều lần.',
    'Trả kết quả trễ hẹn.',
    'Hệ thống lấy số thường xuyên bị lỗi.',
  ],
};
